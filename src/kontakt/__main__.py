from kontakt.cli import main

main()

"""Language understanding helpers: language identification, normalisation, lemmas."""

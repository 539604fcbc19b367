"""Front doors: each translates its protocol to handle_turn and back, and decides nothing."""

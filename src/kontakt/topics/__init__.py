"""The routing taxonomy: 22 topics and the units responsible for them."""

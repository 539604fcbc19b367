"""Conversations (a chat session or a phone call) and their state, read back from events."""

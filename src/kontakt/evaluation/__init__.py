"""Offline evaluation of the chatbot and classifiers on labelled JSONL datasets."""

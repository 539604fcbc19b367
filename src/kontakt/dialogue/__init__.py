"""The one dialogue engine behind chat, voice and the desk."""

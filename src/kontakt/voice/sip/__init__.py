"""SIP for the voicebot: messages, dialogs and the UDP/TCP endpoint."""

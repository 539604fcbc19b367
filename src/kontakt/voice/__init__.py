"""The voicebot: SIP/RTP, speech recognition and synthesis around the dialogue engine."""

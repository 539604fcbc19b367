"""Capacity planning: Erlang-C/A formulas, a SimPy contact-center simulation, staffing.

Domain code only: nothing here knows about HTTP or the database. The simulation answers
"how many brokers per hour, and what does the voicebot save?"; `validation` checks it and
the Erlang formulas against a real call-center log.
"""

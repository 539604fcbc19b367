"""What the voicebot says: English msgids of the kontakt gettext catalog (pl, uk, en).

Prompts name the keypad alternative every time, because speech recognition on a phone line
fails often enough that a caller must never be stuck with it.
"""

from __future__ import annotations

# Each welcome line is said in its own language, so every caller hears how to switch.
WELCOME = (
    ("pl", "Hello, this is the virtual assistant of the City of Poznań. For Polish, press 1."),
    ("uk", "For Ukrainian, press 2."),
    ("en", "For English, press 3."),
)
ASK_TOPIC = "Tell me briefly what your call is about, or press 0 for the menu."
ASK_AGAIN = "Please say it again in a few words, or press 0 for the menu."
NOT_HEARD = "I did not hear you."
NOT_UNDERSTOOD = "I did not understand."
CONFIRM_TOPIC = "Is it about {topic}? Say yes or press 1. If not, say no or press 2."
CLARIFY_TOPIC = "Is it about {first}, press 1, or about {second}, press 2?"
MENU_PROMPT = "Choose your matter. {items}"
MENU_ITEM = "{name}: press {digit}."
MENU_MORE = "Other matters: press {digit}."
AGAIN = "I did not get your choice."
BENEFIT_OFFER = "To hear the payment date of a benefit, press 1. To talk to a consultant, press 2."
CONNECTING = "Connecting you to a consultant. Please hold."
CONNECTING_TOPIC = "Connecting you to a consultant for {topic}. Please hold."
CANNOT_CONNECT = "I cannot connect you now."
HELPLINE = "The city helpline {phone} works Monday to Friday 7:30–20:00, except public holidays."
GOODBYE = "Goodbye!"
# Booking a visit by phone (kontakt.voice.booking_call).
BOOKING_OFFER = (
    "To book a visit at the office, press 1. To talk to a consultant, stay on the line or press 2."
)
BOOKING_REQUEST = "I would like to book a visit."  # what key 1 says to the booking dialogue
CHOICE_MORE = "More options: press {digit}."
CHOICE_PERSON = "To talk to a consultant, press 0."
NO_KEYS = "I did not hear any keys."
NUMBER_PROMPT = "Enter the phone number at which the office can reach you, then press the hash key."
NUMBER_CONFIRM = (
    "The office will reach you at {number}. If that is right, press 1. To enter another "
    "number, press 2."
)
NUMBER_NOT_VALID = "This number is not valid."

ALL = (
    *(m for _, m in WELCOME),
    ASK_TOPIC, ASK_AGAIN, NOT_HEARD, NOT_UNDERSTOOD, CONFIRM_TOPIC, CLARIFY_TOPIC,
    MENU_PROMPT, MENU_ITEM, MENU_MORE, AGAIN, BENEFIT_OFFER, CONNECTING, CONNECTING_TOPIC,
    CANNOT_CONNECT, HELPLINE, GOODBYE, BOOKING_OFFER, BOOKING_REQUEST, CHOICE_MORE, CHOICE_PERSON,
    NO_KEYS, NUMBER_PROMPT, NUMBER_CONFIRM, NUMBER_NOT_VALID,
)  # fmt: skip

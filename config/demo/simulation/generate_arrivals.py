#!/usr/bin/env python3
"""Generates arrivals.jsonl, the what-if demo's customers: about 250 arrivals over one hour, mixed channels, tiers,
languages, IVR choices and subjects. Run once with the fixed seed below; the output is committed as data, so the
demo's numbers stay put. Usage: python3 generate_arrivals.py > arrivals.jsonl"""
import json
import random

SEED = 20261123
MEAN_GAP_SECONDS = 14.4  # about 250 per hour
HOUR = 3600

rng = random.Random(SEED)

SUBJECTS = {
    "billing": ["Question about my invoice", "Refund for order {n}", "Payment failed twice",
                "Wrong amount on my bill", "Rechnung {n} doppelt bezahlt"],
    "tech": ["Login does not work", "App crashes on start", "Error 500 when saving",
             "Password reset mail never arrives", "Fehler bei der Installation"],
    "general": ["Change my address", "Where is my parcel?", "Opening hours at Easter?",
                "Thanks for the quick help", "Cancel my newsletter"],
}


def pick(weights):
    r = rng.random() * sum(weights.values())
    for key, w in weights.items():
        r -= w
        if r < 0:
            return key
    return key


t = 0.0
while True:
    t += rng.expovariate(1 / MEAN_GAP_SECONDS)
    if t >= HOUR:
        break
    channel = pick({"voice": 30, "chat": 35, "email": 25, "social": 10})
    arrival = {"at": round(t, 1), "channel": channel}
    tier = pick({None: 62, "silver": 18, "gold": 12, "platinum": 8})
    if tier:
        arrival["customerTier"] = tier
    language = pick({"en": 58, "de": 27, "tr": 8, "fr": 7})
    arrival["language"] = language
    topic = pick({"billing": 40, "tech": 35, "general": 25})
    if channel == "voice":
        arrival["attributes"] = {"ivr.choice": {"billing": "1", "tech": "2", "general": "0"}[topic]}
        if rng.random() < 0.5:
            arrival["handleSeconds"] = rng.randint(90, 420)
    else:
        arrival["subject"] = rng.choice(SUBJECTS[topic]).format(n=rng.randint(10000, 99999))
        if channel == "email":
            arrival["handleSeconds"] = rng.randint(120, 600)
            arrival["patienceSeconds"] = 86400  # nobody hangs up on an email
        elif rng.random() < 0.3:
            arrival["patienceSeconds"] = rng.randint(30, 600)
    print(json.dumps(arrival, separators=(",", ":")))

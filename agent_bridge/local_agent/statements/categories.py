"""A transaction's category: the bank's own when the statement has one, otherwise the
first keyword rule that matches its payee or description (rules extendable in config)."""

from __future__ import annotations

import re

DEFAULT_RULES: dict[str, list[str]] = {
    "groceries": [
        "whole foods",
        "trader joe",
        "kroger",
        "safeway",
        "aldi",
        "lidl",
        "tesco",
        "sainsbury",
        "asda",
        "morrisons",
        "waitrose",
        "carrefour",
        "rewe",
        "edeka",
        "costco",
        "walmart",
        "grocery",
        "supermarket",
        "market",
    ],
    "eating out": [
        "restaurant",
        "cafe",
        "café",
        "coffee",
        "starbucks",
        "pret",
        "mcdonald",
        "burger",
        "pizza",
        "deliveroo",
        "uber eats",
        "doordash",
        "just eat",
        "grubhub",
        "bar ",
    ],
    "transport": [
        "uber",
        "lyft",
        "bolt",
        "tfl",
        "transport",
        "railway",
        "rail",
        "train",
        "metro",
        "shell",
        "bp ",
        "exxon",
        "chevron",
        "esso",
        "parking",
        "airline",
        "ryanair",
    ],
    "shopping": ["amazon", "ebay", "etsy", "ikea", "zara", "h&m", "apple store", "target"],
    "bills": [
        "electric",
        "energy",
        "water",
        "gas ",
        "council tax",
        "insurance",
        "broadband",
        "verizon",
        "at&t",
        "vodafone",
        "comcast",
        "rent",
        "mortgage",
    ],
    "subscriptions": ["netflix", "spotify", "disney", "hbo", "youtube", "icloud", "patreon"],
    "health": ["pharmacy", "boots", "cvs", "walgreens", "dentist", "doctor", "gym"],
    "income": ["salary", "payroll", "wages", "refund", "interest"],
}


def _words(value: str) -> str:
    return " " + re.sub(r"\s+", " ", value.lower()) + " "


def categorise(text: str, amount_is_income: bool, rules: dict[str, list[str]] | None = None) -> str:
    haystack = _words(text)
    for category, keywords in (rules or DEFAULT_RULES).items():
        if any(keyword.lower() in haystack for keyword in keywords):
            return category
    return "income" if amount_is_income else "other"


def normalise(category: str) -> str:
    """A bank's category as a lower-case label ("Eating Out" -> "eating out")."""
    return re.sub(r"[\s_]+", " ", category.strip().lower())[:64]

"""Claim status inquiries: the 276 we send (005010X212) and what a 277 answer means."""

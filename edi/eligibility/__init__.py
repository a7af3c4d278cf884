"""Eligibility 270/271 (005010X279A1): ask a payer whether a member is covered on a day."""

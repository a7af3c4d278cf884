"""Claim rules by WEDI SNIP level, producing findings that every output shares."""

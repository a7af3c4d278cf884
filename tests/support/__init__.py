"""What tests in every room share: the one X12 test-file writer and pyx12 as judge."""

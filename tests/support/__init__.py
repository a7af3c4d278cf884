"""What tests in every room share: the one X12 test-file writer (:mod:`.x12files`), pyx12
as judge (:mod:`.judge`) and a plain reading of 835 money (:mod:`.plain_reading`)."""

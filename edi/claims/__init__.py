"""The claim layer: encounter models (encounter-v1), record reading and claim builders."""

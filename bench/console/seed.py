#!/usr/bin/env python3
"""Writes seed files (docs/seeding.md) for N keys, 10,000 a file (the YAML reader's node limit):
seed.py N DIR. Every tenth key is Disabled; every hundredth has the tag team=payments."""
import os
import sys
import uuid

count, directory = int(sys.argv[1]), sys.argv[2]
per_file = 10_000
os.makedirs(directory, exist_ok=True)
for first in range(0, count, per_file):
    with open(os.path.join(directory, f"seed-{first // per_file:03}.yaml"), "w") as f:
        f.write("keys:\n")
        for i in range(first, min(first + per_file, count)):
            f.write(f"  - keyId: {uuid.UUID(int=i + 1)}\n    material: {{hex: {os.urandom(32).hex()}}}\n")
            if i % 10 == 0:
                f.write("    state: Disabled\n")
            if i % 100 == 0:
                f.write("    tags: {team: payments}\n")

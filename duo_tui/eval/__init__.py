"""`duo-tui eval`: each reviewer alone and in pairs on a suite of changes with known issues.

suite.py reads and validates a suite, runner.py runs the reviews (through the
same prompts, `ModelCaller` and providers as a session) with a cache and a cost
cap, scoring.py matches findings to known issues with the triage matcher,
report.py renders the result, demo.py scripts offline reviewers. No Textual.
"""

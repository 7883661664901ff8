"""The core every layer above may use: the record model, settings, errors and exit
codes, messages in two languages, Vietnamese text folding, validity judged from an end
date and a policy, SQLite and PDF helpers. It imports nothing of sohoa above it."""

"""Self-disclosures as Japan's guideline defines them: intake (templates, validation) and reconciliation with
open-source evidence."""

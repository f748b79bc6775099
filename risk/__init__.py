"""Risk assessment: versioned, dated rule packs evaluated over findings, never over who a person is."""

"""Operations: pakn as an operator deploys, upgrades and runs it."""

"""The parts of `bench/subscribers.py` (live-subscription delivery): its options, the
server it runs, the submissions that make events, the load generator that holds the
subscribers, where each subscriber landed, CPU accounting, the analysis and the report.
"""

"""Vietnamese wording for the demo petitions, by topic.

`template` makes text that carries its folded form; `fields`, `titles` and `bodies` are what
petitions say; `petitioners` who sends them; `record` the notes, answers and rating comments
written as they are handled.
"""

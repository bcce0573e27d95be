"""The questionnaire engine: definitions, expressions and validation, free of Flask."""

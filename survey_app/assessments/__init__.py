"""Learning assessments: knowledge checks scored when stored, pre/post pairs, their statistics and pages.

    codes.py      participant codes (4 letters + 2 digits) that pair a pre-test with a post-test
    store.py      scoring a batch's new submissions into AssessmentScore, in the storing transaction
    tally.py      running pairs and per-question sums, kept in the same transaction as the scores
    summary.py    the results page's figures summed from those by the database
    pairing.py    reading the scores back and pairing them by (workshop, questionnaire, code)
    statistics.py means, paired gain with a 95% confidence interval, pass shares, per objective/question
    pages.py      the organisers' assessment results page and its CSV export
    export.py     that CSV, streamed from the running pairs joined to their scores
    numbers.py    the figures in the reader's digits, decimal sign and signs
"""

"""Learning: enrolments, module progress, the completion rule and the learner's dashboard."""

"""Course discussions: questions and answers among a course's learners and trainers, moderated."""

"""Course evaluation: learners rate a course they completed; trainers and HR read the totals."""

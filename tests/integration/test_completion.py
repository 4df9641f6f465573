"""The completion rule, its write-once guarantee under concurrency, and course versions."""

from __future__ import annotations

import threading

import pytest
from werkzeug.datastructures import MultiDict

from lms.catalog.models import CourseVersion
from lms.catalog.services import published_course
from lms.clock import utcnow
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import Completion, ModuleProgress
from tests.conftest import PG_URL, correct_answers, course_quiz, import_course, write_course


def pass_quiz(app, client, code="TES-101"):
    url = client.post(f"/courses/{code}/quiz/start").location
    return client.post(url, data=MultiDict(correct_answers(course_quiz(app, code))))


def count(app, model) -> int:
    with app.app_context():
        return db.session.query(model).count()


def test_passing_the_quiz_alone_does_not_complete(app, client, course, learner):
    """Is a course complete when the quiz is passed but a module is not marked done?"""
    client.post("/courses/TES-101/enrol")
    client.post("/courses/TES-101/modules/modul-1/done")
    pass_quiz(app, client)
    assert count(app, Completion) == 0
    page = client.get("/courses/TES-101/quiz").get_data(as_text=True)
    assert "telah lulus kuis ini" in page
    # Marking the last module done now completes the course.
    client.post("/courses/TES-101/modules/modul-2/done")
    assert count(app, Completion) == 1


def test_all_modules_without_passing_does_not_complete(app, client, course, learner):
    """Is a course complete when every module is done but the quiz was failed?"""
    client.post("/courses/TES-101/enrol")
    for key in ("modul-1", "modul-2"):
        client.post(f"/courses/TES-101/modules/{key}/done")
    url = client.post("/courses/TES-101/quiz/start").location
    client.post(url, data=MultiDict(correct_answers(course_quiz(app, "TES-101"), wrong=4)))
    assert count(app, Completion) == 0


def test_marking_done_twice_and_completing_twice_write_once(app, client, course, learner):
    """Do repeated 'mark as done' clicks and repeated completion checks write one row each?"""
    client.post("/courses/TES-101/enrol")
    client.post("/courses/TES-101/enrol")
    for _ in range(3):
        client.post("/courses/TES-101/modules/modul-1/done")
    client.post("/courses/TES-101/modules/modul-2/done")
    pass_quiz(app, client)
    client.post("/courses/TES-101/modules/modul-2/done")
    assert count(app, ModuleProgress) == 2
    assert count(app, Completion) == 1


def test_concurrent_completion_attempts_write_exactly_one_row(app, course, learner):
    """When many requests try to write the completion at the same moment, is exactly one row written?"""
    with app.app_context():
        c = published_course("TES-101")
        learning.enrol(learner, c)
        for key in c.current_version.module_keys:
            learning.mark_done(learner, c, key)
        from lms.quiz import services as quiz

        attempt = quiz.start_attempt(learner, c)
        db.session.commit()
        attempt_id = attempt.id

    # The attempt is passed directly in the database so that every thread sees the rule hold.
    with app.app_context():
        from lms.clock import utcnow
        from lms.quiz.models import QuizAttempt

        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.submitted_at, attempt.score, attempt.passed = utcnow(), 100.0, True
        db.session.commit()

    barrier = threading.Barrier(8)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()  # all requests arrive together
            with app.test_request_context("/", method="POST"):
                c = published_course("TES-101")
                completion = learning.try_complete(learner, c)
                db.session.commit()
                results.append(completion.certificate_no)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert count(app, Completion) == 1
    assert len(set(results)) == 1  # every request answered with the one completion


def test_concurrent_double_submit_grades_once(app, course, learner):
    """Two submissions of one attempt at the same moment: is it graded exactly once?"""
    from lms.quiz import services as quiz
    from lms.quiz.models import QuizAttempt

    with app.app_context():
        c = published_course("TES-101")
        learning.enrol(learner, c)
        attempt_id = quiz.start_attempt(learner, c).id
        db.session.commit()
    form = MultiDict(correct_answers(course_quiz(app, "TES-101")))
    barrier = threading.Barrier(4)
    outcomes = []

    def worker():
        barrier.wait()
        with app.test_request_context("/", method="POST"):
            attempt = db.session.get(QuizAttempt, attempt_id)
            try:
                quiz.submit_attempt(attempt, form)
                db.session.commit()
                outcomes.append("graded")
            except quiz.AttemptAlreadySubmitted:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["graded", "refused", "refused", "refused"]


def test_reimport_unchanged_is_a_no_op(app, tmp_path, runner):
    """Does importing the same package again leave the database as it was?"""
    folder = write_course(tmp_path / "c")
    import_course(app, folder)
    outcomes = import_course(app, folder)
    assert [o.created for o in outcomes] == [False]
    assert count(app, CourseVersion) == 1


def test_new_version_keeps_progress_and_completions(app, client, tmp_path, learner):
    """After a revision, does progress on surviving modules carry over and old completions keep their version?"""
    folder = write_course(tmp_path / "c", modules=3)
    import_course(app, folder)
    client.post("/courses/TES-101/enrol")
    client.post("/courses/TES-101/modules/modul-1/done")
    client.post("/courses/TES-101/modules/modul-3/done")

    # Version 2: module 3 removed, a new module 4 added, module 1 renumbered but keeps its id.
    (folder / "03-modul-3.md").unlink()
    (folder / "01-modul-1.md").rename(folder / "05-modul-1.md")
    (folder / "04-modul-baru.md").write_text(
        "---\ntitle: Modul Baru\nminutes: 5\n---\n\nIsi baru.\n"
    )
    (folder / "course.md").write_text(
        (folder / "course.md").read_text().replace("01-modul-1.md", "05-modul-1.md")
    )
    outcomes = import_course(app, folder)
    assert outcomes[0].created and outcomes[0].version_number == 2

    page = client.get("/courses/TES-101").get_data(as_text=True)
    assert "1 dari 3 modul selesai" in page  # modul-1 kept; modul-3 gone; modul-baru new
    for key in ("modul-2", "modul-baru"):
        client.post(f"/courses/TES-101/modules/{key}/done")
    pass_quiz(app, client)
    with app.app_context():
        completion = db.session.query(Completion).one()
        assert completion.course_version.number == 2

    # Version 3 does not touch the completion earned on version 2.
    (folder / "02-modul-2.md").write_text(
        "---\ntitle: Modul 2 revisi\nminutes: 12\n---\n\nIsi revisi.\n"
    )
    assert import_course(app, folder)[0].version_number == 3
    with app.app_context():
        assert db.session.query(Completion).one().course_version.number == 2
        assert published_course("TES-101").current_version.number == 3


@pytest.mark.parametrize("bad", ["quiz", "module"])
def test_failed_import_changes_nothing(app, tmp_path, bad):
    """Does a package with an error leave the previous version (and other packages) untouched?"""
    good = write_course(tmp_path / "all" / "a", code="AAA-1")
    other = write_course(tmp_path / "all" / "b", code="BBB-1")
    import_course(app, good)
    (good / "02-modul-2.md").write_text("---\ntitle: Diubah\nminutes: 3\n---\n\nBerubah.\n")
    if bad == "quiz":
        (other / "quiz.md").write_text("## Tanpa jawaban benar\n\n- [ ] a\n- [ ] b\n")
    else:
        (other / "01-modul-1.md").write_text("---\ntitle: [rusak\n---\n")
    from lms.catalog.services import import_path
    from lms.content.problems import PackageInvalid

    with app.app_context(), pytest.raises(PackageInvalid):
        import_path(tmp_path / "all")
    with app.app_context():
        db.session.rollback()
        assert db.session.query(CourseVersion).count() == 1
        assert published_course("BBB-1") is None
        assert published_course("AAA-1").current_version.number == 1


def test_concurrent_quiz_starts_open_one_attempt(app, course, learner):
    """Two or more clicks on 'start quiz' at once: is exactly one attempt opened (so max_attempts holds)?"""
    from lms.quiz import services as quiz
    from lms.quiz.models import QuizAttempt

    with app.app_context():
        learning.enrol(learner, published_course("TES-101"))
        db.session.commit()
    for round_number in (1, 2, 3):  # max_attempts is 2: the third round must open nothing
        barrier = threading.Barrier(6)
        opened, errors = [], []

        def worker(opened=opened, errors=errors, barrier=barrier):
            barrier.wait()
            try:
                with app.test_request_context("/", method="POST"):
                    attempt = quiz.start_attempt(learner, published_course("TES-101"))
                    db.session.commit()
                    opened.append(attempt.id)
            except Exception as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        if round_number == 3:
            assert opened == [] and len(errors) == 6
            assert all(isinstance(e, quiz.NoAttemptsLeft) for e in errors)
            break
        assert errors == []
        assert len(set(opened)) == 1
        with app.app_context():
            open_attempts = (
                db.session.query(QuizAttempt).filter(QuizAttempt.submitted_at.is_(None)).all()
            )
            assert len(open_attempts) == 1
            # Fail it, so the next round races for the next number.
            attempt = open_attempts[0]
            from lms.clock import utcnow

            attempt.submitted_at, attempt.score, attempt.passed = utcnow(), 0.0, False
            db.session.commit()
    with app.app_context():
        numbers = sorted(a.number for a in db.session.query(QuizAttempt))
        assert numbers == [1, 2]


@pytest.mark.skipif(
    not PG_URL, reason="SQLite serialises writers: the interleaving cannot happen there"
)
def test_start_attempt_when_another_click_commits_in_between(app, course, learner, monkeypatch):
    """If another click commits attempt 1 right after this request read the attempts, is no second attempt opened?"""
    from lms.quiz import services as quiz
    from lms.quiz.models import QuizAttempt

    with app.app_context():
        learning.enrol(learner, published_course("TES-101"))
        db.session.commit()
        version = published_course("TES-101").current_version
        version_id, course_id = version.id, version.course_id

    original = quiz.attempts_of

    def read_then_other_click_commits(user_id, course_id_):
        seen = original(user_id, course_id_)
        with db.engine.begin() as other:  # the other click's request, committed now
            other.execute(
                QuizAttempt.__table__.insert().values(
                    user_id=user_id, course_id=course_id, course_version_id=version_id,
                    number=1, layout=[], started_at=utcnow(),
                )
            )  # fmt: skip
        monkeypatch.setattr(quiz, "attempts_of", original)
        return seen

    monkeypatch.setattr(quiz, "attempts_of", read_then_other_click_commits)
    with app.test_request_context("/", method="POST"):
        attempt = quiz.start_attempt(learner, published_course("TES-101"))
        db.session.commit()
        assert attempt.number == 1
    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 1

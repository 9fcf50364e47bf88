"""Messages that flow up from the team view's widgets and forms to its app, the one owner of the view and of its session."""

from __future__ import annotations

from textual.message import Message


class InjectOpened(Message):
    """The reader highlighted an inject in the inbox: it counts as read from now on."""

    def __init__(self, inject_id: str) -> None:
        super().__init__()
        self.inject_id = inject_id
        """Id of the inject opened."""


class NextUnread(Message):
    """The reader asks for the newest inject not read yet."""


class MarkAllRead(Message):
    """The reader counts everything received so far as read."""


class TeamAction(Message):
    """A form asks the app to record one of the team's own actions; the app answers the form.

    The form stays open: the app dismisses it once the engine recorded the action,
    or hands it the refusal to show, with everything typed still in place.
    """

    def __init__(self, form: object) -> None:
        super().__init__()
        self.form = form
        """The form that sent it, to be dismissed or told why nothing was recorded."""


class DecisionSubmitted(TeamAction):
    """The team submits (or revises) its decision on an inject put to it."""

    def __init__(self, form: object, inject: str, option: str | None, text: str, rationale: str, dissent: str) -> None:
        super().__init__(form)
        self.inject = inject
        """Inject decided on."""
        self.option = option
        """Option id chosen, None for an answer in the team's own words."""
        self.text = text
        """The answer in the team's own words."""
        self.rationale = rationale
        """Why."""
        self.dissent = dissent
        """Dissent inside the team."""


class QuestionAsked(TeamAction):
    """The team sends a request for information to the control cell."""

    def __init__(self, form: object, text: str, inject: str | None) -> None:
        super().__init__(form)
        self.text = text
        """The question."""
        self.inject = inject
        """Inject it is about, if any."""


class DiscussionAnswered(TeamAction):
    """The team keeps its answer to one discussion question of a move."""

    def __init__(self, form: object, move: str, question: str, text: str) -> None:
        super().__init__(form)
        self.move = move
        """Move whose question is answered."""
        self.question = question
        """The question, as the exercise words it."""
        self.text = text
        """The team's answer."""


class FeedbackGiven(TeamAction):
    """One participant's feedback form, sent after ENDEX."""

    def __init__(
        self, form: object, participant: str, ratings: dict[str, int], strengths: str, improvements: str, comments: str
    ) -> None:
        super().__init__(form)
        self.participant = participant
        """Participant's name, if given."""
        self.ratings = ratings
        """Rating 1-5 per feedback question id, the questions left unrated left out."""
        self.strengths = strengths
        """What went well."""
        self.improvements = improvements
        """What to improve."""
        self.comments = comments
        """Anything else."""

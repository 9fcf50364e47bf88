"""How the console delivers an inject: at once when it is due, asking first when it is not.

A mixin of the console app, beside `actions.py`: the deliver keys carry the
console's most consequential questions (a second delivery, one ahead of its
time, one whose condition play has not met), and each is asked from facts
`confirmations.py` computes, after any refusal the engine would give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tabletop.app.messages import EngineCall

if TYPE_CHECKING:
    from datetime import tzinfo

    from textual.app import App

    from tabletop.app.queue import EngineQueue
    from tabletop.engine import Session

    _AppBase = App[None]
else:
    _AppBase = object  # a second App subclass would cost Textual's class set-up at import, for nothing


class ConsoleDelivering(_AppBase):
    """The deliver keys of the console (`d`, `D`), over the session the app owns.

    A mixin of `ConsoleApp`, its one user, which provides the attributes and
    methods declared here for the type checker.
    """

    if TYPE_CHECKING:
        session: Session
        wall_zone: tzinfo | None
        queue: EngineQueue

        def current_inject(self) -> str | None: ...
        def no_inject_reason(self) -> str: ...
        def bell(self) -> None: ...

    def _deliver(self, verb: str, **extra: Any) -> None:
        """Deliver at once when it is due; ask first when it went out already (naming that delivery)
        or is not due yet (naming how early, and to whom)."""
        from tabletop.app.screens.confirm import RedeliverForm
        from tabletop.confirmations import early_facts, redelivery_facts

        inject_id = self.current_inject()
        if inject_id is None:
            self.notify(self.no_inject_reason(), severity="warning", markup=False)
            return
        if self.queue.is_delivering(inject_id):
            # a second press before the first delivery is on screen: never a silent second delivery
            self.notify(f"{inject_id} is being delivered now. To send it again, press d once it shows as delivered.",
                        severity="warning", timeout=6, markup=False)
            return
        call = EngineCall("deliver", {"inject_id": inject_id, **extra}, done=f"{verb} {inject_id}")
        refused = self.session.delivery_refusal(inject_id, force=bool(extra.get("force")))
        if refused is not None:  # said at once, before any question about it
            self.notify(refused, title="Not done", severity="error", timeout=8, markup=False)
            self.bell()
            return
        state = self.session.state
        facts = redelivery_facts(state, inject_id)
        if facts is not None:
            self.push_screen(RedeliverForm(self.session.exercise, facts, self.wall_zone, call))
            return
        early = early_facts(state, inject_id, self.session.now_minute())
        inject = self.session.exercise.inject(inject_id)
        if extra.get("force") and inject is not None and inject.condition is not None and not state.is_live(inject_id):
            from tabletop.app.screens.confirm import ForcedDeliveryForm
            from tabletop.conditions import describe

            unmet = describe(inject.condition, self.session.state.label)
            self.push_screen(ForcedDeliveryForm(self.session.exercise, inject_id, inject.title, unmet,
                                                self.session.exercise.recipients(inject), early, call))
            return
        if early is not None:
            from tabletop.app.screens.confirm import EarlyDeliveryForm

            self.push_screen(EarlyDeliveryForm(self.session.exercise, early, call))
            return
        self.queue.deliver_once(call)

    def action_deliver(self) -> None:
        """Deliver the selected inject; a second delivery is asked first."""
        self._deliver("Delivered")

    def action_force_deliver(self) -> None:
        """Deliver the selected inject even though its condition does not hold."""
        self._deliver("Delivered (forced)", force=True)

"""The dashboard's run controls: users (``+ - * h u``), profile (``p``), pause (space), spike drill (``x``),
note (``n``), stop (``s``) and start again (``g``). Each is a non-blocking session call, asked first under
a shape (``shape_guard``) and answered on the message line."""

from __future__ import annotations

from collections.abc import Callable

from perfconsole.config import Settings
from perfconsole.errors import UserError
from perfconsole.tui.controls import (
    double_users,
    halve_users,
    overdrive_limit,
    overdrive_reason,
    step_users,
)
from perfconsole.tui.frame import Frame
from perfconsole.tui.screens.modals import NoteModal, ProfileModal, YesNoModal
from perfconsole.tui.screens.shape_guard import guard_shape
from perfconsole.tui.screens.store_keys import RunStoreScreen
from perfconsole.tui.screens.users_dialog import UsersModal
from perfconsole.tui.session_api import ConsoleSession


class ControlKeysScreen(RunStoreScreen):
    """The run's controls over ``session``; the dashboard provides the frame and redraws."""

    session: ConsoleSession
    settings: Settings
    prepared: bool
    users_step: int
    frame: Frame | None = None

    def refresh_view(self, charts: bool = True) -> None:
        raise NotImplementedError

    def _control(self, done: str, call: Callable[[], object]) -> bool:
        """Run a non-blocking session call; a refusal is shown in the message line, the run goes on."""
        if not self.prepared:
            self.say("still starting: wait for the workers", "error")
            return False
        try:
            call()
        except UserError as exc:
            self.say(f"refused: {exc}", "error")
            return False
        self.say(done)
        self.refresh_view()
        return True

    def _target(self) -> int:
        snapshot = self.live_snapshot()
        return snapshot.target_user_count if snapshot else 0

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        rate = "" if spawn_rate is None else f" at {spawn_rate:g}/s"
        self._control(f"users -> {users}{rate}", lambda: self.session.set_users(users, spawn_rate))

    def _guarded(self, key: str, proceed: Callable[[], object]) -> None:
        """Under a shape, ask before a control leaves (or interrupts) it."""
        guard_shape(self, self.live_session(), key, proceed)

    def action_users_up(self) -> None:
        self._guarded("+", lambda: self.set_users(step_users(self._target(), self.users_step, 1)))

    def action_users_down(self) -> None:
        self._guarded("-", lambda: self.set_users(step_users(self._target(), self.users_step, -1)))

    def action_users_double(self) -> None:
        self._guarded("*", lambda: self.set_users(double_users(self._target())))

    def action_users_halve(self) -> None:
        self._guarded("h", lambda: self.set_users(halve_users(self._target())))

    def action_set_users(self) -> None:
        self._guarded("u", self._ask_users)

    def _profile_peak(self) -> int | None:
        """The peak users of the profile the run follows (None under a locustfile's shape or none)."""
        snapshot = self.live_snapshot()
        profile = self.settings.profiles.get(snapshot.profile) if snapshot and snapshot.profile else None
        return profile.users if profile is not None else None

    def _ask_users(self) -> None:
        snapshot = self.live_snapshot()
        users = snapshot.target_user_count if snapshot else 0
        rate = snapshot.spawn_rate if snapshot else 1.0
        peak = self._profile_peak()
        hint = f"above {overdrive_limit(users, peak)} users asks first"

        def confirmed(values: tuple[int, float | None], yes: bool | None) -> None:
            if yes:
                self.set_users(*values)
            else:
                self.say(f"not applied: users stay at {self._target()}")

        def applied(answer: tuple[int, float | None] | None) -> None:
            if answer is None:
                return
            reason = overdrive_reason(answer[0], users, peak)
            if reason is None:
                self.set_users(*answer)
                return
            rate_text = "" if answer[1] is None else f" at {answer[1]:g}/s"
            self.app.push_screen(
                YesNoModal(f"{answer[0]} users{rate_text} is {reason}. Apply?"),
                lambda yes: confirmed(answer, yes),
            )

        self.app.push_screen(UsersModal(users, rate, hint), applied)

    def action_switch_profile(self) -> None:
        self._guarded("p", self._ask_profile)

    def _ask_profile(self) -> None:
        if not self.settings.profiles:
            self.say("no profiles in config.toml", "error")
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                profile = self.settings.profiles[name]
                self._control(f"profile -> {name}", lambda: self.session.apply_profile(profile))

        snapshot = self.live_snapshot()
        current = snapshot.profile if snapshot else None
        self.app.push_screen(ProfileModal(self.settings.profiles, current), chosen)

    def action_pause_resume(self) -> None:
        if self.frame is not None and self.frame.paused:
            self._control("resumed", self.session.resume)
        else:
            self._guarded("space", self._pause)

    def _pause(self) -> None:
        self._control("paused: 0 users (space resumes)", self.session.pause)

    def action_spike(self) -> None:
        self._guarded("x", self._spike)

    def _spike(self) -> None:
        drill = self.settings.spike
        self._control(
            f"spike: {drill.users} users at {drill.spawn_rate:g}/s for {drill.duration_s:g}s, then back",
            self.session.fire_spike,
        )

    def action_note(self) -> None:
        snapshot = self.live_snapshot()
        elapsed = snapshot.elapsed_s if snapshot else 0.0

        def noted(text: str | None) -> None:
            if text is not None:
                self._control(f"noted: {text}", lambda: self.session.annotate(text))

        self.app.push_screen(NoteModal(elapsed), noted)

    def action_stop(self) -> None:
        self._control("stopped (g starts again, q quits)", self.session.stop)

    def action_start_again(self) -> None:
        snapshot = self.live_snapshot()
        if snapshot is not None and snapshot.state.is_active:
            self.say("refused: the run is still going (s stops it first)", "error")
            return
        self._control("started again", self.session.start)

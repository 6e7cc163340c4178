"""Bot state on Table Storage: the scenarios of botbuilder's ``StorageBaseTests``, and then some.

``BotStorageContract`` runs against botbuilder's own ``MemoryStorage`` (the reference behaviour) and against
``TableBotStorage`` on a real Azurite, so any difference between the two shows up as a failing test.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from azure.data.tables.aio import TableServiceClient
from botbuilder.core import ConversationState, MemoryStorage, Storage, StoreItem, TurnContext, UserState
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    Dialog,
    DialogSet,
    DialogTurnResult,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.schema import Activity

from bot.errors import ConcurrencyError, RecordTooLargeError, StorageUnavailableError
from bot.storage.tables import TableStore
from bot.teams.state_storage import TableBotStorage
from tests.support.azurite import Azurite, free_port

TEXT = "Ysgol Gymraeg ✅ 📈 — 東京 — مرحبا"
CRAZY_KEYS = [
    '!@#$%^&*()_+??><":QASD~`',
    "msteams/conversations/19:abc@thread.tacv2;messageid=1/",
    "a/b\\c#d?e",
    "ctl\x00\x01\x1f\x7f\x9f",
    "%2F and %",
    "it's 📈 東京",
]

Reopen = Callable[[], Awaitable[Storage]]


class BotStorageContract:
    """What every botbuilder ``Storage`` here must do; subclasses give ``storage`` and ``reopen``."""

    async def test_reading_an_unknown_key_gives_nothing(self, storage: Storage) -> None:
        assert await storage.read(["unknown"]) == {}

    async def test_reading_no_keys_gives_nothing(self, storage: Storage) -> None:
        assert await storage.read([]) == {}
        assert await storage.read(None) == {}

    async def test_writing_none_is_refused_and_writing_nothing_is_fine(self, storage: Storage) -> None:
        with pytest.raises(Exception) as raised:  # noqa: PT011 - MemoryStorage raises a bare Exception
            await storage.write(None)
        assert raised.value.args[0] == "Changes are required when writing"
        await storage.write({})
        await storage.write([])

    async def test_creates_dicts_and_store_items(self, storage: Storage) -> None:
        await storage.write(
            {
                "createPoco": {"id": 1, "text": TEXT},
                "createPocoStoreItem": {"id": 2, "e_tag": "*"},
                "createStoreItem": StoreItem(id=3, e_tag="*", name=TEXT),
            }
        )
        read = await storage.read(["createPoco", "createPocoStoreItem", "createStoreItem", "missing"])
        assert set(read) == {"createPoco", "createPocoStoreItem", "createStoreItem"}
        assert read["createPoco"]["id"] == 1
        assert read["createPoco"]["text"] == TEXT
        assert read["createPoco"].get("e_tag") is None  # written without one, read without one
        assert read["createPocoStoreItem"]["id"] == 2
        assert read["createPocoStoreItem"]["e_tag"]
        item = read["createStoreItem"]
        assert isinstance(item, StoreItem)
        assert (item.id, item.name) == (3, TEXT)
        assert item.e_tag

    async def test_handles_crazy_keys(self, storage: Storage) -> None:
        await storage.write({key: {"id": number, "key": key} for number, key in enumerate(CRAZY_KEYS)})
        read = await storage.read(CRAZY_KEYS)
        assert {key: value["key"] for key, value in read.items()} == {key: key for key in CRAZY_KEYS}
        await storage.delete(CRAZY_KEYS)
        assert await storage.read(CRAZY_KEYS) == {}

    async def test_updates_objects(self, storage: Storage) -> None:
        await storage.write(
            {"pocoItem": {"id": 1, "count": 1}, "pocoStoreItem": {"id": 1, "count": 1, "e_tag": "*"}}
        )
        loaded = await storage.read(["pocoItem", "pocoStoreItem"])
        loaded["pocoItem"]["e_tag"] = None
        assert loaded["pocoStoreItem"]["e_tag"] is not None
        loaded["pocoItem"]["count"] += 1
        loaded["pocoStoreItem"]["count"] += 1
        await storage.write(loaded)
        reloaded = await storage.read(["pocoItem", "pocoStoreItem"])
        assert reloaded["pocoItem"]["count"] == 2
        assert reloaded["pocoStoreItem"]["count"] == 2

        loaded["pocoItem"]["count"] = 123  # no e_tag: overwrites whatever is stored
        await storage.write({"pocoItem": loaded["pocoItem"]})
        again = await storage.read(["pocoItem", "pocoStoreItem"])
        assert again["pocoItem"]["count"] == 123

        again["pocoItem"]["count"] = 100
        again["pocoStoreItem"]["count"] = 100
        again["pocoStoreItem"]["e_tag"] = "*"  # wildcard: overwrites
        await storage.write(again)
        latest = await storage.read(["pocoItem", "pocoStoreItem"])
        assert latest["pocoItem"]["count"] == 100
        assert latest["pocoStoreItem"]["count"] == 100

        latest["pocoStoreItem"]["e_tag"] = ""  # an empty e_tag is refused
        with pytest.raises(Exception):  # noqa: B017, PT011 - each storage raises its own kind
            await storage.write({"pocoStoreItem": latest["pocoStoreItem"]})
        final = await storage.read(["pocoItem", "pocoStoreItem"])
        assert final["pocoStoreItem"]["count"] == 100

    async def test_a_stale_e_tag_is_refused(self, storage: Storage) -> None:
        await storage.write({"item": {"count": 1, "e_tag": "*"}})
        await storage.write(await storage.read(["item"]))
        first = (await storage.read(["item"]))["item"]
        second = copy.deepcopy(first)
        first["count"] = 2
        await storage.write({"item": first})
        second["count"] = 3
        with pytest.raises(Exception):  # noqa: B017, PT011 - MemoryStorage raises KeyError, ours ConcurrencyError
            await storage.write({"item": second})
        assert (await storage.read(["item"]))["item"]["count"] == 2

    async def test_deletes_objects(self, storage: Storage) -> None:
        await storage.write({"delete1": {"id": 1, "count": 1, "e_tag": "*"}})
        read = await storage.read(["delete1"])
        assert read["delete1"]["e_tag"]
        assert read["delete1"]["count"] == 1
        await storage.delete(["delete1"])
        assert await storage.read(["delete1"]) == {}

    async def test_deleting_an_unknown_key_is_fine(self, storage: Storage) -> None:
        await storage.delete(["unknown_key"])
        await storage.delete({"unknown_key", "another"})

    async def test_batch_operations(self, storage: Storage) -> None:
        await storage.write({"batch1": {"count": 10}, "batch2": {"count": 20}, "batch3": {"count": 30}})
        result = await storage.read(["batch1", "batch2", "batch3"])
        assert [result[key]["count"] for key in ("batch1", "batch2", "batch3")] == [10, 20, 30]
        await storage.delete(["batch1", "batch2", "batch3"])
        assert await storage.read(["batch1", "batch2", "batch3"]) == {}

    async def test_nested_objects_round_trip(self, storage: Storage) -> None:
        value = {
            "profile": {"name": TEXT, "tags": ["a", "b"], "scores": {"x": 1.5, "y": None}, "ok": True},
            "items": [StoreItem(id=1, inner={"deep": [1, 2, {"deeper": TEXT}]}), {"plain": "dict"}],
        }
        await storage.write({"nested": value})
        read = (await storage.read(["nested"]))["nested"]
        assert read["profile"] == value["profile"]
        assert isinstance(read["items"][0], StoreItem)
        assert read["items"][0].inner == {"deep": [1, 2, {"deeper": TEXT}]}
        assert read["items"][1] == {"plain": "dict"}

    async def test_proceeds_through_a_waterfall(self, storage: Storage) -> None:
        adapter = TestAdapter(waterfall_bot(storage))
        step = await adapter.send("hello")
        step = await step.assert_reply("step1")
        step = await step.send("hello")
        step = await step.assert_reply("Please type your name")
        for attempt in range(3):
            step = await step.send("hi")
            step = await step.assert_reply(f"Please send a name that is longer than 3 characters. {attempt}")
        step = await step.send("Kyle")
        step = await step.assert_reply("You got it at the 3rd try!")
        await step.assert_reply("step3")

    async def test_dialog_and_user_state_survive_a_restart(self, storage: Storage, reopen: Reopen) -> None:
        first = TestAdapter(waterfall_bot(storage))
        await (await first.send("hello")).assert_reply("step1")
        await (await first.send("hello")).assert_reply("Please type your name")

        restarted = TestAdapter(waterfall_bot(await reopen()))  # a new process, same storage
        step = await restarted.send("hi")
        step = await step.assert_reply("Please send a name that is longer than 3 characters. 0")
        step = await step.send("Siân ✅")
        await step.assert_reply("You got it at the 1rd try!")
        user_key = UserState(storage).get_storage_key(TurnContext(restarted, restarted.template))
        assert (await (await reopen()).read([user_key]))[user_key]["turns"] == 4


def waterfall_bot(storage: Storage) -> Callable[[TurnContext], Awaitable[None]]:
    """A bot with a three-step waterfall and a name prompt, its dialog state in ``storage``."""
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    turns = user_state.create_property("turns")
    dialogs = DialogSet(conversation_state.create_property("dialogState"))

    async def validate(prompt: PromptValidatorContext) -> bool:
        attempts = prompt.options.number_of_attempts
        if len(prompt.recognized.value) > 3:
            await prompt.context.send_activity(f"You got it at the {attempts}rd try!")
            return True
        await prompt.context.send_activity(f"Please send a name that is longer than 3 characters. {attempts}")
        return False

    async def step1(step: WaterfallStepContext) -> DialogTurnResult:
        assert isinstance(step.active_dialog.state["stepIndex"], int)
        await step.context.send_activity("step1")
        return Dialog.end_of_turn

    async def step2(step: WaterfallStepContext) -> DialogTurnResult:
        assert isinstance(step.active_dialog.state["stepIndex"], int)
        return await step.prompt(
            TextPrompt.__name__, PromptOptions(prompt=Activity(type="message", text="Please type your name"))
        )

    async def step3(step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity("step3")
        return Dialog.end_of_turn

    dialogs.add(WaterfallDialog(WaterfallDialog.__name__, [step1, step2, step3]))
    dialogs.add(TextPrompt(TextPrompt.__name__, validate))

    async def on_turn(context: TurnContext) -> None:
        await turns.set(context, (await turns.get(context) or 0) + 1)  # a falsy default is ignored
        dialog_context = await dialogs.create_context(context)
        await dialog_context.continue_dialog()
        if not context.responded:
            await dialog_context.begin_dialog(WaterfallDialog.__name__)
        await conversation_state.save_changes(context)
        await user_state.save_changes(context)

    return on_turn


class TestMemoryStorage(BotStorageContract):
    """botbuilder's ``MemoryStorage``: the behaviour ``TableBotStorage`` copies."""

    @pytest.fixture
    def shared(self) -> dict[str, Any]:
        return {}

    @pytest.fixture
    def storage(self, shared: dict[str, Any]) -> Storage:
        return MemoryStorage(shared)

    @pytest.fixture
    def reopen(self, shared: dict[str, Any]) -> Reopen:
        async def reopen() -> Storage:
            return MemoryStorage(shared)

        return reopen


class TestTableBotStorage(BotStorageContract):
    """``TableBotStorage`` on Azurite."""

    @pytest.fixture
    async def storage(self, azurite: Azurite, table_prefix: str) -> AsyncIterator[TableBotStorage]:
        storage = await TableBotStorage.open(
            connection_string=azurite.connection_string, table_prefix=table_prefix
        )
        yield storage
        await storage.close()

    @pytest.fixture
    async def reopen(self, azurite: Azurite, table_prefix: str) -> AsyncIterator[Reopen]:
        opened: list[TableBotStorage] = []

        async def reopen() -> Storage:
            opened.append(
                await TableBotStorage.open(
                    connection_string=azurite.connection_string, table_prefix=table_prefix
                )
            )
            return opened[-1]

        yield reopen
        for storage in opened:
            await storage.close()

    async def test_a_stale_e_tag_is_a_concurrency_error(self, storage: TableBotStorage) -> None:
        await storage.write({"item": StoreItem(count=1, e_tag="*")})
        read = (await storage.read(["item"]))["item"]
        read.count = 2
        await storage.write({"item": read})
        with pytest.raises(ConcurrencyError):
            await storage.write({"item": read})  # the e_tag it was read with is stale now
        await storage.delete(["item"])
        with pytest.raises(ConcurrencyError):
            await storage.write({"item": read})  # deleted since it was read: changed too
        assert await storage.read(["item"]) == {}

    async def test_of_two_concurrent_writers_with_one_e_tag_exactly_one_wins(
        self, storage: TableBotStorage
    ) -> None:
        await storage.write({"item": {"count": 0, "e_tag": "*"}})
        one, two = (await storage.read(["item"]))["item"], (await storage.read(["item"]))["item"]
        one["count"], two["count"] = 1, 2
        results = await asyncio.gather(
            storage.write({"item": one}), storage.write({"item": two}), return_exceptions=True
        )
        assert sorted(type(result).__name__ for result in results) == ["ConcurrencyError", "NoneType"]
        winner = one if results[0] is None else two
        assert (await storage.read(["item"]))["item"]["count"] == winner["count"]

    async def test_large_objects_are_split_and_rejoined(
        self, storage: TableBotStorage, azurite: Azurite, table_prefix: str
    ) -> None:
        value = {"answers": {"achievements": (TEXT + "\n") * 6_000}, "list": list(range(1_000))}
        await storage.write({"big": value})
        assert (await storage.read(["big"]))["big"] == value
        async with TableServiceClient.from_connection_string(azurite.connection_string) as service:
            raw = await service.get_table_client(f"{table_prefix}botstate").get_entity("big", "state")
        assert {"data", "data__1", "data__2", "data__3"} <= set(raw)

    async def test_an_object_over_one_mib_is_refused_and_nothing_stored(
        self, storage: TableBotStorage
    ) -> None:
        await storage.write({"kept": {"count": 1}})
        with pytest.raises(RecordTooLargeError, match="Bot state huge"):
            await storage.write({"huge": {"text": "x" * 600_000}})
        with pytest.raises(RecordTooLargeError):
            await storage.write({"kept": {"text": "📈" * 200_000}})
        assert await storage.read(["huge", "kept"]) == {"kept": {"count": 1}}

    async def test_shares_a_table_store_connections(self, azurite: Azurite, table_prefix: str) -> None:
        store = await TableStore.open(connection_string=azurite.connection_string, table_prefix=table_prefix)
        try:
            storage = TableBotStorage(await store.open_table("botstate"))
            await storage.write({"k": {"v": TEXT}})
            assert await storage.read(["k"]) == {"k": {"v": TEXT}}
            await storage.close()  # leaves the store's connections open
            assert await storage.read(["k"]) == {"k": {"v": TEXT}}
        finally:
            await store.close()

    async def test_storage_down_is_unavailable(self, table_prefix: str) -> None:
        down = Azurite(port=free_port())  # nothing listens there
        with pytest.raises(StorageUnavailableError):
            await TableBotStorage.open(connection_string=down.connection_string, table_prefix=table_prefix)

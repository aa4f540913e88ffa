"""Chat pages over HTTP, with and without htmx, and the outsider's 404s."""

from __future__ import annotations

import io
import struct
import time
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Conversation, Message
from lmo.usage.models import UsageDay

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_answer(question: Message) -> Message:
    for _ in range(200):
        answer = Message.objects.filter(answer_to=question).first()
        if answer is not None and answer.status != Message.Status.SENDING:
            return answer
        time.sleep(0.05)
    raise AssertionError("no answer")


def test_sending_without_javascript_works(alice_client, conversation, offline, task_runner):
    response = alice_client.post(
        f"/chat/c/{conversation.pk}/send/", {"content": "what time is it?", "client_id": "nojs1"}
    )
    assert response.status_code == 302
    question = Message.objects.get(client_id="nojs1")
    answer = _wait_answer(question)
    assert answer.content.startswith("It is ")
    page = alice_client.get(f"/chat/c/{conversation.pk}/").content.decode()
    assert "what time is it?" in page and answer.content.split(" on ")[0] in page
    conversation.refresh_from_db()
    assert conversation.title == "what time is it?"
    # The same form re-submitted (double click, back + resend) stores nothing new.
    alice_client.post(
        f"/chat/c/{conversation.pk}/send/", {"content": "what time is it?", "client_id": "nojs1"}
    )
    assert Message.objects.filter(sender="user").count() == 1


def test_new_conversation_from_the_start_page(alice_client, offline, task_runner):
    response = alice_client.post("/chat/new/", {"content": "hello there", "client_id": "n1"})
    conversation = Conversation.objects.get()
    assert response["Location"] == f"/chat/c/{conversation.pk}/"
    assert conversation.title == "hello there"
    answer = _wait_answer(Message.objects.get(client_id="n1"))
    assert "No language model is configured" in answer.content
    assert "LMO_LLM_BASE_URL" in answer.content


def test_empty_and_overlong_messages_are_refused(alice_client, conversation):
    for content, reason in (("", "empty"), ("y" * 20_001, "20,000")):
        response = alice_client.post(
            f"/chat/c/{conversation.pk}/send/", {"content": content, "client_id": "e1"}
        )
        assert response.status_code == 422
        assert reason in response.content.decode()
    assert Message.objects.count() == 0


def test_markdown_is_rendered_and_script_is_inert(alice_client, conversation):
    Message.objects.create(
        conversation=conversation,
        sender="assistant",
        content="**bold** <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nx = 1\n```",
    )
    page = alice_client.get(f"/chat/c/{conversation.pk}/").content.decode()
    assert "<strong>bold</strong>" in page and "<table>" in page
    assert '<code class="language-py">' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page


def test_older_messages_load_in_pages(alice_client, conversation):
    for i in range(75):
        Message.objects.create(conversation=conversation, sender="user", content=f"message {i:02d}")
    page = alice_client.get(f"/chat/c/{conversation.pk}/").content.decode()
    assert "message 74" in page and "message 44" not in page and "older-sentinel" in page
    oldest_shown = Message.objects.get(content="message 45").pk
    older = alice_client.get(
        f"/chat/c/{conversation.pk}/older/?before={oldest_shown}", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "message 44" in older and "message 15" in older and "message 14" not in older
    assert "older-sentinel" in older


def test_threads_show_replies_and_the_count(alice_client, conversation, offline, task_runner):
    parent = Message.objects.create(conversation=conversation, sender="user", content="root")
    alice_client.post(
        f"/chat/c/{conversation.pk}/send/",
        {"content": "what time is it?", "client_id": "t1", "parent": parent.pk},
    )
    reply = Message.objects.get(client_id="t1")
    assert reply.parent_id == parent.pk
    answer = _wait_answer(reply)
    assert answer.parent_id == parent.pk  # the assistant answers in the thread
    panel = alice_client.get(
        f"/chat/m/{parent.pk}/thread/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "what time is it?" in panel and "It is" in panel
    page = alice_client.get(f"/chat/c/{conversation.pk}/").content.decode()
    assert "2 replies" in page
    assert "what time is it?" not in page.split("messages-scroll")[1].split("thread-panel")[0]


def test_search_rename_archive_delete(alice_client, alice, offline):
    first = Conversation.objects.create(owner=alice, title="Holiday plans")
    second = Conversation.objects.create(owner=alice, title="Other")
    Message.objects.create(conversation=second, sender="user", content="the quarterly budget")
    found = alice_client.get("/chat/?q=budget&sidebar=1", HTTP_HX_REQUEST="true").content.decode()
    assert "Other" in found and "Holiday plans" not in found
    alice_client.post(f"/chat/c/{first.pk}/rename/", {"title": "  Summer   trip "})
    first.refresh_from_db()
    assert first.title == "Summer trip"
    alice_client.post(f"/chat/c/{first.pk}/archive/", {"archived": "1"})
    listing = alice_client.get("/chat/").content.decode()
    assert "Summer trip" not in listing
    assert "Summer trip" in alice_client.get("/chat/?archived=1").content.decode()
    alice_client.post(f"/chat/c/{second.pk}/delete/")
    assert not Conversation.objects.filter(pk=second.pk).exists()
    assert not Message.objects.filter(conversation_id=second.pk).exists()


def test_suggestions_come_from_the_tools(alice_client, conversation):
    page = alice_client.get(f"/chat/c/{conversation.pk}/").content.decode()
    assert 'data-example="chart my chat activity"' in page
    assert "<code>/time</code>" in page


def test_outsider_gets_404_everywhere(client, charlie, login_verified, alice, conversation):
    message = Message.objects.create(conversation=conversation, sender="user", content="secret")
    login_verified(client, charlie)
    pk, mpk = conversation.pk, message.pk
    for method, url in [
        ("get", f"/chat/c/{pk}/"),
        ("get", f"/chat/c/{pk}/older/"),
        ("post", f"/chat/c/{pk}/send/"),
        ("post", f"/chat/c/{pk}/voice/"),
        ("post", f"/chat/c/{pk}/rename/"),
        ("post", f"/chat/c/{pk}/archive/"),
        ("post", f"/chat/c/{pk}/delete/"),
        ("get", f"/chat/m/{mpk}/thread/"),
        ("post", f"/chat/m/{mpk}/stop/"),
        ("post", f"/chat/m/{mpk}/retry/"),
        ("get", f"/chat/m/{mpk}/audio/"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    assert f"/chat/c/{pk}/" not in client.get("/chat/?q=secret").content.decode()
    assert Conversation.objects.filter(pk=pk).exists()


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(8000)
        clip.writeframes(struct.pack("<800h", *([0] * 800)))
    return buffer.getvalue()


def test_voice_message_is_transcribed_then_answered(
    alice_client, conversation, fake_llm, task_runner, settings
):
    fake_llm.transcript = "what time is it"
    upload = SimpleUploadedFile("clip.wav", _wav(), content_type="audio/wav")
    response = alice_client.post(
        f"/chat/c/{conversation.pk}/voice/",
        {"audio": upload, "client_id": "v1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content
    message = Message.objects.get(client_id="v1")
    answer = _wait_answer(message)
    message.refresh_from_db()
    assert message.type == Message.Type.VOICE and message.content == "what time is it"
    assert answer.content.startswith("You said: what time is it")
    # The transcription is a model call of its own, with the tokens the provider reported.
    heard = UsageDay.objects.get(model=settings.LMO_STT_MODEL)
    assert (heard.prompt_tokens, heard.completion_tokens, heard.llm_calls) == (14, 5, 1)
    audio = alice_client.get(f"/chat/m/{message.pk}/audio/")
    assert audio["Content-Type"] == "audio/wav"


def test_voice_uploads_are_checked(alice_client, conversation, fake_llm, settings):
    cases = [
        (SimpleUploadedFile("a.wav", b"", content_type="audio/wav"), "empty"),
        (
            SimpleUploadedFile("a.txt", b"hello world, not audio", content_type="audio/wav"),
            "not a recording",
        ),
        (SimpleUploadedFile("a.png", b"\x89PNG....", content_type="image/png"), "must be audio"),
    ]
    for upload, reason in cases:
        response = alice_client.post(
            f"/chat/c/{conversation.pk}/voice/", {"audio": upload, "client_id": "v2"}
        )
        assert response.status_code == 422 and reason in response.content.decode()
    settings.LMO_VOICE_MAX_BYTES = 100
    big = SimpleUploadedFile("a.wav", _wav(), content_type="audio/wav")
    response = alice_client.post(
        f"/chat/c/{conversation.pk}/voice/", {"audio": big, "client_id": "v3"}
    )
    assert response.status_code == 422 and "limited" in response.content.decode()
    assert Message.objects.count() == 0


def test_voice_is_disabled_without_a_speech_endpoint(alice_client, conversation, settings):
    settings.LMO_STT_ENABLED = False
    page = alice_client.get(f"/chat/c/{conversation.pk}/").content.decode()
    assert "Voice input needs a speech-to-text endpoint" in page
    upload = SimpleUploadedFile("clip.wav", _wav(), content_type="audio/wav")
    response = alice_client.post(
        f"/chat/c/{conversation.pk}/voice/", {"audio": upload, "client_id": "v9"}
    )
    assert response.status_code == 422 and "LMO_STT_BASE_URL" in response.content.decode()


def test_admin_lists_conversations_and_messages(client, login_verified, conversation):
    from tests.conftest import make_user

    admin = make_user("ops@example.com", staff=True)
    login_verified(client, admin)
    Message.objects.create(conversation=conversation, sender="user", content="hello admin")
    assert client.get("/admin/chat/conversation/").status_code == 200
    assert "hello admin" in client.get("/admin/chat/message/").content.decode()


def test_a_tool_results_image_is_shown_and_every_file_is_a_download(alice_client, conversation):
    """Blocks that chat.machine.rendering makes from a result's stored files."""
    from chat.rich import clean_blocks

    url = "/permissions/files/0b8f3c1e-8f0e-4a57-9f55-1a1d1c0b2a3e/"
    blocks = clean_blocks(
        [
            {"kind": "attachment", "url": url, "name": "shot.png", "size": 1_600_000,
             "mime_type": "image/png", "preview": "image"},
            {"kind": "attachment", "url": url, "name": "q3.pdf", "size": 2048,
             "mime_type": "application/pdf", "preview": ""},
            {"kind": "attachment", "url": "https://evil.example/x.png", "name": "x.png",
             "size": 1, "mime_type": "image/png", "preview": "image"},
        ]
    )  # fmt: skip
    assert blocks == []  # one block with a URL that is not LMO's own: the list is dropped
    blocks = clean_blocks(
        [
            {"kind": "attachment", "url": url, "name": "shot.png", "size": 1_600_000,
             "mime_type": "image/png", "preview": "image"},
            {"kind": "attachment", "url": url, "name": "q3.pdf", "size": 2048,
             "mime_type": "application/pdf", "preview": ""},
        ]
    )  # fmt: skip
    Message.objects.create(
        conversation=conversation, sender="assistant", content="Here.", metadata={"blocks": blocks}
    )
    page = alice_client.get(f"/chat/c/{conversation.pk}/").content.decode()
    assert f'<img class="result-image" src="{url}" alt="shot.png"' in page
    assert f'href="{url}?download=1" download="q3.pdf">Download q3.pdf</a>' in page
    assert page.count('<img class="result-image"') == 1

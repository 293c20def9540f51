"""The shared streaming readers the HR file and the validate report are built on."""

import pytest

from idbridge.streams import JsonReader, JsonStreamError, decoded


def test_a_character_cut_between_two_chunks_is_decoded_whole():
    data = "Åsa Øvre".encode()
    assert "".join(decoded([data[i : i + 1] for i in range(len(data))])) == "Åsa Øvre"


def test_undecodable_bytes_are_replaced_when_asked_and_refused_otherwise():
    assert "".join(decoded([b"a\x81b"], "cp1252", errors="replace")) == "a\ufffdb"
    with pytest.raises(UnicodeDecodeError):
        list(decoded([b"a\xffb"]))


@pytest.mark.parametrize("cut", range(1, 12))
def test_a_value_cut_anywhere_between_chunks_is_read_whole(cut):
    text = '[{"n": 1.5e3}, 12345]'
    reader = JsonReader([text[:cut], text[cut:]])
    reader.expect("[")
    assert reader.value() == {"n": 1500.0}
    reader.expect(",")
    assert reader.value() == 12345
    reader.expect("]")
    assert reader.peek() == ""


def test_a_value_longer_than_allowed_is_refused_rather_than_buffered():
    text = '{"name": "' + "x" * 200_000
    reader = JsonReader([text[i : i + 50] for i in range(0, len(text), 50)], max_value_chars=100)
    with pytest.raises(JsonStreamError):
        reader.value()
    assert not reader.eof  # refused before the rest of the text was read

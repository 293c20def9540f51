"""The ceremonies' pages and JSON endpoints: parse, gate, call one service, render."""

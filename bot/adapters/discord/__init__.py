"""The Discord front end (discord.py 2.x): alert and digest embeds (`embeds`), the outbox sender
(`sender`), slash commands and the client (`commands`, `client`)."""

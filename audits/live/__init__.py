"""The live workshop: the room (join links, presence, the facilitator's controls, votes), deltas, the poll's
answers, and the pages they are drawn from."""

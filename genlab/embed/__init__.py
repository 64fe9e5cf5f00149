"""The embedding room: vector sources, 2-D/3-D maps, neighbours, analogies, timelines."""

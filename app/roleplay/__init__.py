"""The role-play engine: the service and a session's turns, the conversation and its prompt, reply
cleaning and quality checks, and the tension model."""

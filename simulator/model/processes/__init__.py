"""The mechanisms of the simulated market, one module each; ``model.build`` wires them.

Each mechanism is an object that owns its state, reads its own section of the parameters and
runs as simpy generator methods; it reaches another mechanism only through the methods of a
collaborator it was handed when it was built.
"""

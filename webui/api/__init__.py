"""The JSON API under /api/v1: token authentication, the UI's use cases, described by /api/v1/openapi.json.

Each view parses its input (webui.api.inputs), calls one quorum.services use case in one
transaction as the token's holder (webui.api.blueprint.acting) and returns a read model from
quorum.services.records. Refusals are JSON {error, message} with the engine's status.

The package imports nothing (its modules import it first, so it must not import them back): the
blueprint lives in webui.api.blueprint, and webui.api.routes imports every module that hangs routes on it.
"""

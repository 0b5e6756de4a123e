"""boto3 pointed at the local stack: every client made with boto3.client() talks to TPI_ENDPOINT_URL.

Debian's python3-boto3 predates the AWS_ENDPOINT_URL variable, so the endpoint is given to each
client explicitly; the code under test calls boto3.client("events") exactly as it would on AWS.
"""
import os

import boto3
import botocore.config

_original_client = boto3.client


def _local_client(service, *args, **kwargs):
    kwargs.setdefault("endpoint_url", os.environ["TPI_ENDPOINT_URL"])
    kwargs.setdefault("region_name", "us-east-1")
    # One attempt: the tests compare what the endpoint answered, not what retries hid.
    kwargs.setdefault("config", botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
    return _original_client(service, *args, **kwargs)


boto3.client = _local_client


def error_of(error):
    """The parts of a botocore ClientError a caller relies on: code and HTTP status."""
    return {
        "error": error.response["Error"]["Code"],
        "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
    }

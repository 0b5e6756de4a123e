"""Calls the local stack with boto3 and prints each outcome as one JSON document on stdout.

Usage: boto3_calls.py SCENARIO ARGS_JSON   (scenarios: put_events, ssm, replay)
"""
import json
import sys
import time
from datetime import datetime, timedelta, timezone

import local_boto3  # noqa: F401  (points boto3 at the local stack)
import boto3
from botocore.exceptions import ClientError


def call(fn, **kwargs):
    try:
        response = fn(**kwargs)
        response.pop("ResponseMetadata", None)
        return response
    except ClientError as error:
        return local_boto3.error_of(error)


def put_events(args):
    events = boto3.client("events")
    valid = {"EventBusName": args["bus"], "Source": "tournaments", "DetailType": "CheckInToggled", "Detail": args["detail"]}
    return {
        "batch": call(
            events.put_events,
            Entries=[
                valid,
                {**valid, "Detail": "[1, 2]"},
                {**valid, "Source": "aws.events"},
                {**valid, "EventBusName": "arn:aws:events:eu-west-1:000000000000:event-bus/tournaments"},
                {**valid, "Detail": "[" * 5000 + "]" * 5000},
                {k: v for k, v in valid.items() if k != "EventBusName"},
            ],
        ),
        "eleven": call(events.put_events, Entries=[valid] * 11),
        "after": call(events.put_events, Entries=[valid]),
    }


def ssm(args):
    client = boto3.client("ssm")
    name = args["name"]
    return {
        "createWithoutType": call(client.put_parameter, Name=name, Value="on"),
        "unknownType": call(client.put_parameter, Name=name, Value="on", Type="Foo"),
        "create": call(client.put_parameter, Name=name, Value="on", Type="String"),
        "again": call(client.put_parameter, Name=name, Value="off", Type="String"),
        "overwrite": call(client.put_parameter, Name=name, Value="off", Overwrite=True),
        "latest": call(client.get_parameter, Name=name),
        "version1": call(client.get_parameter, Name=name + ":1"),
        "version9": call(client.get_parameter, Name=name + ":9"),
        "byArn": call(client.get_parameter, Name=args["arn"]),
        "missing": call(client.get_parameter, Name=name + "-missing"),
        "secure": call(client.put_parameter, Name=name + "-secret", Value="on", Type="SecureString"),
        "secureRead": call(client.get_parameter, Name=name + "-secret"),
        "secureDecrypted": call(client.get_parameter, Name=name + "-secret", WithDecryption=True),
    }


def replay(args):
    events = boto3.client("events")
    archive = call(events.describe_archive, ArchiveName=args["archive"])
    start, end = datetime.now(timezone.utc) - timedelta(hours=1), datetime.now(timezone.utc)
    common = {"EventStartTime": start, "EventEndTime": end, "Destination": {"Arn": archive["EventSourceArn"]}}
    out = {
        "archive": archive,
        "busAsSource": call(events.start_replay, ReplayName=args["name"] + "-bus", EventSourceArn=archive["EventSourceArn"], **common),
        "otherDestination": call(
            events.start_replay,
            ReplayName=args["name"] + "-dest",
            EventSourceArn=archive["ArchiveArn"],
            **{**common, "Destination": {"Arn": archive["EventSourceArn"].replace("tournaments", "nope")}},
        ),
        "start": call(events.start_replay, ReplayName=args["name"], EventSourceArn=archive["ArchiveArn"], **common),
    }
    deadline = time.time() + 120
    while True:
        described = call(events.describe_replay, ReplayName=args["name"])
        if described.get("State") in ("COMPLETED", "FAILED", "CANCELLED") or time.time() > deadline:
            break
        time.sleep(0.1)
    out["described"] = described
    out["sameName"] = call(events.start_replay, ReplayName=args["name"], EventSourceArn=archive["ArchiveArn"], **common)
    out["unknown"] = call(events.describe_replay, ReplayName=args["name"] + "-never")
    return out


if __name__ == "__main__":
    scenario, raw = sys.argv[1], sys.argv[2]
    result = {"put_events": put_events, "ssm": ssm, "replay": replay}[scenario](json.loads(raw))
    print(json.dumps(result, default=str))

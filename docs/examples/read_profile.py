"""Reads profiles from the tournament profile read API with SigV4-signed requests (IAM mode).

Usage: python3 read_profile.py API_URL USER_ID [OTHER_USER_ID ...]

Credentials and region come from botocore's usual chain (environment, ~/.aws, instance role), the
same a Django app running on AWS would use. Needs only botocore, which `pip install ./clients/python`
installs (through boto3); requests go out with the standard library.
"""

import json
import sys
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.session import Session


class Response:
    """What a call answered: the status, the headers and the parsed JSON body (None when empty)."""

    def __init__(self, status, headers, body):
        self.status, self.headers = status, headers
        self.body = json.loads(body) if body else None


class ProfileApiError(Exception):
    """The API refused a request: `status`, and the API's error code (or the gateway's message)."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code = status, code


class ProfileApi:
    """A small client of the read API: one signed GET per call."""

    def __init__(self, base_url, region=None, credentials=None):
        session = Session()
        self.base_url = base_url.rstrip("/")
        self.region = region or session.get_config_variable("region") or "us-east-1"
        self.credentials = credentials or session.get_credentials()

    def _get(self, path, params=None, headers=None):
        url = self.base_url + path + ("?" + urlencode(params) if params else "")
        request = AWSRequest(method="GET", url=url, headers=headers or {})
        SigV4Auth(self.credentials, "execute-api", self.region).add_auth(request)
        try:
            with urlopen(Request(url, headers=dict(request.headers)), timeout=10) as answer:
                return Response(answer.status, answer.headers, answer.read())
        except HTTPError as refused:
            response = Response(refused.code, refused.headers, refused.read())
            if refused.code == 304:
                return response
            body = response.body or {}
            error = body.get("error") or {"code": body.get("message", "Error"), "message": refused.reason}
            raise ProfileApiError(refused.code, error["code"], error["message"]) from None

    def stats(self, user_id, etag=None, game_id=None):
        """Returns (stats, etag): overall, or in one game with `game_id` (zeros in a game the user has
        nothing in); stats is None when `etag` still matches (304 Not Modified)."""
        response = self._get(
            f"/users/{user_id}/stats",
            {"gameId": game_id} if game_id else None,
            headers={"If-None-Match": etag} if etag else None,
        )
        return (None if response.status == 304 else response.body), response.headers.get("ETag")

    def games(self, user_id, etag=None):
        """Returns (games, etag): the user's statistics per game, sorted by gameId; games is None
        when `etag` still matches."""
        response = self._get(f"/users/{user_id}/games", headers={"If-None-Match": etag} if etag else None)
        return (None if response.status == 304 else response.body["items"]), response.headers.get("ETag")

    def feed(self, user_id, limit=20, cursor=None, activity_type=None):
        params = {"limit": limit, **({"cursor": cursor} if cursor else {}), **({"type": activity_type} if activity_type else {})}
        return self._get(f"/users/{user_id}/activities", params).body

    def stats_many(self, user_ids, game_id=None):
        params = {"userIds": ",".join(user_ids), **({"gameId": game_id} if game_id else {})}
        return self._get("/stats", params).body["items"]


def main(argv):
    api = ProfileApi(argv[1])
    user_id = argv[2]
    stats, etag = api.stats(user_id)
    unchanged, _ = api.stats(user_id, etag)
    feed = api.feed(user_id, limit=1)
    try:
        api.feed(user_id, cursor="forged")
        forged = None
    except ProfileApiError as error:
        forged = {"status": error.status, "code": error.code}
    games, _ = api.games(user_id)
    game_id = games[0]["gameId"] if games else "none"
    print(json.dumps({
        "stats": stats,
        "etag": etag,
        "notModified": unchanged is None,
        "feed": feed,
        "batch": api.stats_many([user_id, *argv[3:]]),
        "games": games,
        "game": api.stats(user_id, game_id=game_id)[0],
        "gameBatch": api.stats_many([user_id, *argv[3:]], game_id=game_id),
        "forgedCursor": forged,
    }))


if __name__ == "__main__":
    main(sys.argv)

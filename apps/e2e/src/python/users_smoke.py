"""A client of the users service written from generated Python stubs.

usage: users_smoke.py <stubs dir> <address> <unique tag>

Signs up (a public RPC), signs in, reads itself back with the access token
and lists users with proto3 `optional` filters set to false, then calls
without a token. Prints what it saw as one JSON object; the Jest spec
(python-client.int-spec.ts) checks it. Exits 1 on any unexpected answer.
"""
import json
import sys

stubs, address, tag = sys.argv[1:4]
sys.path.insert(0, stubs)

import grpc  # noqa: E402
from nexus.common.v1 import role_pb2  # noqa: E402
from nexus.users.v1 import users_pb2, users_pb2_grpc  # noqa: E402

PASSWORD = "correct horse battery staple"

with grpc.insecure_channel(address) as channel:
    grpc.channel_ready_future(channel).result(timeout=10)
    users = users_pb2_grpc.UserServiceStub(channel)

    created = users.CreateUser(
        users_pb2.CreateUserRequest(
            user=users_pb2.User(
                email=f"py-{tag}@example.com",
                username=f"py-{tag}",
                full_name="Python Smoke",
            ),
            password=PASSWORD,
        ),
        timeout=10,
    )
    session = users.Authenticate(
        users_pb2.AuthenticateRequest(
            login=f"py-{tag}", password=PASSWORD, client="python smoke test"
        ),
        timeout=10,
    )
    auth = [("authorization", f"Bearer {session.access_token}")]
    me = users.GetUser(users_pb2.GetUserRequest(id=created.id), metadata=auth, timeout=10)

    def listed(**filters):
        request = users_pb2.ListUsersRequest(email_prefix=f"py-{tag}", **filters)
        return len(users.ListUsers(request, metadata=auth, timeout=10).users)

    # `optional` keeps presence: is_active=False filters (no user), unset does not.
    presence = users_pb2.ListUsersRequest(is_active=False).HasField("is_active")
    counts = {
        "unfiltered": listed(),
        "active": listed(is_active=True),
        "inactive": listed(is_active=False),
        "guests": listed(role=role_pb2.ROLE_GUEST),
    }

    try:
        users.GetUser(users_pb2.GetUserRequest(id=created.id), timeout=10)
        anonymous = "OK"
    except grpc.RpcError as error:
        anonymous = error.code().name

print(
    json.dumps(
        {
            "createdId": created.id,
            "createdRole": role_pb2.Role.Name(created.role),
            "tokenType": session.token_type,
            "sessionUserId": session.user.id,
            "me": {"id": me.id, "email": me.email, "fullName": me.full_name},
            "presence": presence,
            "counts": counts,
            "anonymousGetUser": anonymous,
        }
    )
)

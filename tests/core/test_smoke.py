from tests.support import GraphQLClient, make_org


async def test_organisations_lists_created_rows(gql: GraphQLClient) -> None:
    await make_org("海州市总工会")
    data = await gql("{ organisations { totalCount edges { node { name } } } }")
    assert data["organisations"]["totalCount"] == 1
    assert data["organisations"]["edges"][0]["node"]["name"] == "海州市总工会"

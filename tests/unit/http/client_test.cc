#include "http/client.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "http/fake_http_server.h"

namespace schicht::http {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::http_response;

HttpOptions fast_options() {
  HttpOptions options;
  options.initial_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::chrono::milliseconds(10);
  options.max_retries = 3;
  options.connect_timeout = std::chrono::milliseconds(5000);
  return options;
}

TEST(HttpHeaders, NamesAreCaseInsensitiveAndRepeatsKept) {
  HttpHeaders headers;
  headers.add("WWW-Authenticate", "Basic realm=a");
  headers.add("www-authenticate", "Bearer realm=b");
  headers.add("Content-Type", "text/plain");
  EXPECT_EQ(headers.get("content-type"), "text/plain");
  EXPECT_EQ(headers.get_all("Www-Authenticate").size(), 2u);
  headers.set("CONTENT-TYPE", "application/json");
  EXPECT_EQ(headers.get_all("content-type"), std::vector<std::string>{"application/json"});
  headers.remove("www-authenticate");
  EXPECT_FALSE(headers.contains("WWW-Authenticate"));
}

TEST(HttpUrls, ResolveOriginEscapeAndQuery) {
  EXPECT_EQ(resolve_url("https://r.io/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/x?_state=s"),
            "https://r.io/v2/a/blobs/uploads/x?_state=s");
  EXPECT_EQ(resolve_url("https://r.io/v2/a/tags/list", "list?n=2&last=b"),
            "https://r.io/v2/a/tags/list?n=2&last=b");
  EXPECT_EQ(resolve_url("https://r.io/v2/", "https://cdn.io/blob?sig=1"),
            "https://cdn.io/blob?sig=1");
  EXPECT_EQ(url_origin("HTTPS://R.io/x"), "https://r.io:443");
  EXPECT_EQ(url_origin("http://r.io:5000/x"), "http://r.io:5000");
  EXPECT_EQ(url_escape("sha256:ab/c d"), "sha256%3Aab%2Fc%20d");
  EXPECT_EQ(add_query("https://r.io/u?_state=x", "digest", "sha256:1"),
            "https://r.io/u?_state=x&digest=sha256%3A1");
  EXPECT_EQ(add_query("https://r.io/u", "n", "2"), "https://r.io/u?n=2");
  error_of(ErrorKind::kInvalidInput, [] { resolve_url("not a url", "x"); });
}

TEST(HttpUrls, RetryAfterAndStatusTexts) {
  EXPECT_EQ(parse_retry_after("7"), std::chrono::seconds(7));
  EXPECT_EQ(parse_retry_after(" 0 "), std::chrono::seconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::chrono::seconds(0));
  EXPECT_FALSE(parse_retry_after("soon"));
  EXPECT_EQ(status_text(404), "404 Not Found");
  EXPECT_EQ(status_text(599), "599");
}

TEST(HttpClient, SendsMethodHeadersAndBody) {
  FakeHttpServer server([](const FakeRequest&) {
    return http_response(201, {"Content-Type: text/plain", "X-Thing: 1"}, "created");
  });
  HttpClient client(fast_options());
  HttpRequest request{.method = "PUT", .url = server.url("/put"), .body = "payload"};
  request.headers.set("Content-Type", "application/octet-stream");
  HttpResponse response = client.send(request);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "created");
  EXPECT_EQ(response.headers.get("x-thing"), "1");
  ASSERT_EQ(server.requests().size(), 1u);
  FakeRequest seen = server.requests()[0];
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body, "payload");
  EXPECT_EQ(seen.header("content-length"), "7");
  EXPECT_EQ(seen.header("content-type"), "application/octet-stream");
  EXPECT_EQ(seen.header("expect"), "");
  EXPECT_TRUE(seen.header("user-agent").starts_with("schicht/"));
}

TEST(HttpClient, StreamsReaderBodiesAndSendsEmptyPosts) {
  FakeHttpServer server([](const FakeRequest&) { return http_response(202); });
  HttpClient client(fast_options());
  std::string data(300'000, 'x');
  StringReader reader(data);
  HttpRequest patch{
      .method = "PATCH", .url = server.url("/p"), .body_reader = &reader, .body_size = data.size()};
  EXPECT_EQ(client.send(patch).status, 202);
  EXPECT_EQ(client.send(HttpRequest{.method = "POST", .url = server.url("/post")}).status, 202);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "PATCH");
  EXPECT_EQ(requests[0].body, data);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].header("content-length"), "0");
}

TEST(HttpClient, ReaderShorterThanDeclaredFails) {
  FakeHttpServer server([](const FakeRequest&) { return http_response(202); });
  HttpClient client(fast_options());
  StringReader reader("short");
  HttpRequest patch{
      .method = "PATCH", .url = server.url("/p"), .body_reader = &reader, .body_size = 100};
  std::string message = error_of(ErrorKind::kInvalidInput, [&] { client.send(patch); });
  EXPECT_NE(message.find("95 bytes short"), std::string::npos) << message;
}

TEST(HttpClient, RetriesServerErrorsOfIdempotentRequests) {
  int calls = 0;
  FakeHttpServer server([&](const FakeRequest&) {
    return ++calls < 3 ? http_response(503) : http_response(200, {}, "ok");
  });
  HttpClient client(fast_options());
  HttpResponse response = client.send(HttpRequest{.url = server.url("/x")});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(calls, 3);
}

TEST(HttpClient, GivesUpAfterTheLastRetry) {
  FakeHttpServer server([](const FakeRequest&) { return http_response(500); });
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(HttpRequest{.url = server.url("/x")}).status, 500);
  EXPECT_EQ(server.requests().size(), 4u);  // 1 + max_retries
}

TEST(HttpClient, DoesNotRetry501OrPosts) {
  FakeHttpServer server(
      [](const FakeRequest& r) { return http_response(r.target == "/501" ? 501 : 503); });
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(HttpRequest{.url = server.url("/501")}).status, 501);
  EXPECT_EQ(client.send(HttpRequest{.method = "POST", .url = server.url("/post")}).status, 503);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(HttpClient, HonoursRetryAfterOn429) {
  int calls = 0;
  FakeHttpServer server([&](const FakeRequest&) {
    return ++calls == 1 ? http_response(429, {"Retry-After: 0"}) : http_response(200);
  });
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(HttpRequest{.url = server.url("/x")}).status, 200);
  EXPECT_EQ(calls, 2);
}

TEST(HttpClient, RetriesDroppedConnections) {
  int calls = 0;
  FakeHttpServer server([&](const FakeRequest&) {
    // The first answer is cut off before its body.
    return ++calls == 1 ? std::string("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
                        : http_response(200, {}, "0123456789");
  });
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(HttpRequest{.url = server.url("/x")}).body, "0123456789");
  EXPECT_EQ(calls, 2);
}

TEST(HttpClient, FollowsRedirectsKeepingAuthorizationOnlyOnTheSameOrigin) {
  FakeHttpServer other([](const FakeRequest&) { return http_response(200, {}, "elsewhere"); });
  FakeHttpServer server([&](const FakeRequest& r) {
    if (r.target == "/start") return http_response(307, {"Location: /same"});
    if (r.target == "/same") return http_response(302, {"Location: " + other.url("/blob")});
    return http_response(404);
  });
  HttpClient client(fast_options());
  HttpRequest request{.url = server.url("/start")};
  request.headers.set("Authorization", "Bearer secret");
  HttpResponse response = client.send(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "elsewhere");
  EXPECT_EQ(response.url, other.url("/blob"));
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].header("authorization"), "Bearer secret");
  ASSERT_EQ(other.requests().size(), 1u);
  EXPECT_EQ(other.requests()[0].header("authorization"), "");
}

TEST(HttpClient, SeeOtherTurnsPostIntoGet) {
  FakeHttpServer server([](const FakeRequest& r) {
    return r.target == "/post" ? http_response(303, {"Location: /result"})
                               : http_response(200, {}, r.method);
  });
  HttpClient client(fast_options());
  HttpResponse response =
      client.send(HttpRequest{.method = "POST", .url = server.url("/post"), .body = "x"});
  EXPECT_EQ(response.body, "GET");
}

TEST(HttpClient, StopsRedirectLoops) {
  FakeHttpServer server([](const FakeRequest&) { return http_response(302, {"Location: /loop"}); });
  HttpOptions options = fast_options();
  options.max_redirects = 3;
  HttpClient client(options);
  std::string message =
      error_of(ErrorKind::kNetwork, [&] { client.send(HttpRequest{.url = server.url("/")}); });
  EXPECT_NE(message.find("redirects"), std::string::npos) << message;
}

TEST(HttpClient, BoundsBodies) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.target == "/error") return http_response(404, {}, std::string(100'000, 'e'));
    return http_response(200, {}, std::string(1000, 'b'));
  });
  HttpClient client(fast_options());
  error_of(ErrorKind::kInvalidInput,
           [&] { client.send(HttpRequest{.url = server.url("/")}, 999); });
  EXPECT_EQ(client.send(HttpRequest{.url = server.url("/")}, 1000).body.size(), 1000u);

  StringWriter sink;
  std::string message = error_of(ErrorKind::kIntegrity, [&] {
    client.send_to(HttpRequest{.url = server.url("/")}, sink, 999);
  });
  EXPECT_NE(message.find("Content-Length 1000 exceeds the expected 999"), std::string::npos);
  EXPECT_TRUE(sink.str().empty());
  HttpResponse error = client.send_to(HttpRequest{.url = server.url("/error")}, sink, 10);
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.body.size(), 64u * 1024);  // kept for messages, cut
  EXPECT_TRUE(sink.str().empty());
}

TEST(HttpClient, ConnectionRefusedIsANetworkErrorNamingTheUrl) {
  int port;
  {
    FakeHttpServer gone([](const FakeRequest&) { return http_response(200); });
    port = gone.port();
  }
  HttpClient client(fast_options());
  std::string url = fmt::format("http://127.0.0.1:{}/v2/", port);
  std::string message =
      error_of(ErrorKind::kNetwork, [&] { client.send(HttpRequest{.url = url}); });
  EXPECT_NE(message.find("GET " + url), std::string::npos) << message;
}

// A resource served in slices: each connection delivers at most `slice` bytes from the offset
// the Range header asks for, then drops.
class SlicedResource {
 public:
  SlicedResource(std::string data, size_t slice, bool honour_range = true)
      : data_(std::move(data)), slice_(slice), honour_range_(honour_range) {}

  std::string operator()(const FakeRequest& r) const {
    size_t start = 0;
    std::string range = r.header("range");
    if (honour_range_ && range.starts_with("bytes=")) start = std::stoul(range.substr(6));
    size_t end = std::min(data_.size(), start + slice_);
    std::string head = start == 0 ? "HTTP/1.1 200 OK\r\n"
                                  : fmt::format(
                                        "HTTP/1.1 206 Partial\r\nContent-Range: bytes "
                                        "{}-{}/{}\r\n",
                                        start, data_.size() - 1, data_.size());
    return head + fmt::format("Content-Length: {}\r\n\r\n", data_.size() - start) +
           data_.substr(start, end - start);
  }

 private:
  std::string data_;
  size_t slice_;
  bool honour_range_;
};

TEST(HttpDownload, ResumesAfterDroppedConnections) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += static_cast<char>('a' + i % 26);
  FakeHttpServer server(SlicedResource(data, 1200));
  HttpClient client(fast_options());
  StringWriter sink;
  HttpResponse response =
      client.download(HttpRequest{.url = server.url("/blob")}, sink, 0, data.size());
  EXPECT_EQ(response.status, 206);
  EXPECT_EQ(sink.str(), data);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].header("range"), "");
  EXPECT_EQ(requests[1].header("range"), "bytes=1200-");
  EXPECT_EQ(requests[4].header("range"), "bytes=4800-");
}

TEST(HttpDownload, StartsAtTheCallersOffset) {
  std::string data(1000, 'z');
  data[700] = 'A';
  FakeHttpServer server(SlicedResource(data, 10'000));
  HttpClient client(fast_options());
  StringWriter sink;
  client.download(HttpRequest{.url = server.url("/blob")}, sink, 700, data.size());
  EXPECT_EQ(sink.str(), data.substr(700));
  EXPECT_EQ(server.requests()[0].header("range"), "bytes=700-");
  StringWriter nothing;
  EXPECT_EQ(client.download(HttpRequest{.url = server.url("/blob")}, nothing, 1000, 1000).status,
            200);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpDownload, SkipsWhatTheCallerHasWhenTheServerIgnoresRanges) {
  std::string data = "0123456789abcdefghij";
  FakeHttpServer server(SlicedResource(data, 100, /*honour_range=*/false));
  HttpClient client(fast_options());
  StringWriter sink;
  EXPECT_EQ(client.download(HttpRequest{.url = server.url("/b")}, sink, 5, data.size()).status,
            200);
  EXPECT_EQ(sink.str(), data.substr(5));
}

TEST(HttpDownload, RefusesSizesThatDisagree) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.target == "/range") {
      return std::string(
          "HTTP/1.1 206 P\r\nContent-Range: bytes 0-9/10\r\nContent-Length: 10\r\n\r\n"
          "0123456789");
    }
    return http_response(200, {}, "0123456789");
  });
  HttpClient client(fast_options());
  StringWriter sink;
  std::string message = error_of(ErrorKind::kIntegrity, [&] {
    client.download(HttpRequest{.url = server.url("/long")}, sink, 0, 11);
  });
  EXPECT_NE(message.find("Content-Length 10 but expected 11"), std::string::npos) << message;
  error_of(ErrorKind::kIntegrity,
           [&] { client.download(HttpRequest{.url = server.url("/long")}, sink, 0, 9); });
  message = error_of(ErrorKind::kIntegrity, [&] {
    client.download(HttpRequest{.url = server.url("/range")}, sink, 4, 10);
  });
  EXPECT_NE(message.find("Content-Range"), std::string::npos) << message;
  EXPECT_TRUE(sink.str().empty());
}

TEST(HttpDownload, LeavesErrorStatusesToTheCaller) {
  FakeHttpServer server(
      [](const FakeRequest&) { return http_response(404, {}, "{\"errors\":[]}"); });
  HttpClient client(fast_options());
  StringWriter sink;
  HttpResponse response = client.download(HttpRequest{.url = server.url("/b")}, sink, 0, 5);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "{\"errors\":[]}");
  EXPECT_TRUE(sink.str().empty());
}

TEST(HttpClient, CertDirNeedsKeysForClientCertificates) {
  TempDir dir(temp_root(), "schicht-certs-test");
  write_file_atomic(dir.path() / "client.cert", "x");
  HttpOptions options;
  options.cert_dir = dir.path();
  std::string message = error_of(ErrorKind::kInvalidInput, [&] { HttpClient client(options); });
  EXPECT_NE(message.find("missing key client.key"), std::string::npos) << message;
  fs::remove(dir.path() / "client.cert");
  write_file_atomic(dir.path() / "other.key", "x");
  error_of(ErrorKind::kInvalidInput, [&] { HttpClient client(options); });
}

}  // namespace
}  // namespace schicht::http

// What every transfer gets from the client, against a scripted server on 127.0.0.1: retries
// of transient failures (also when the body streams to a sink), timeouts, redirects, proxies
// from the environment, and errors that name the URL in our words rather than curl's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "error_of.h"
#include "http/client.h"
#include "http/fake_http_server.h"
#include "http/timeout_environment.h"
#include "scoped_env.h"

namespace schicht::http {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::http_response;
using Clock = std::chrono::steady_clock;

using schicht::test_env::ScopedEnv;

// No proxy variable of the test's environment reaches the client unless a test sets one.
class NoProxies {
 public:
  NoProxies() {
    for (const char* name : {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTPS_PROXY",
                             "ALL_PROXY", "NO_PROXY"}) {
      unset_.emplace_back(std::make_unique<ScopedEnv>(name, std::nullopt));
    }
  }

 private:
  std::vector<std::unique_ptr<ScopedEnv>> unset_;
};

HttpOptions fast_options() {
  HttpOptions options;
  options.initial_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::chrono::milliseconds(10);
  options.max_retries = 3;
  options.connect_timeout = std::chrono::milliseconds(5000);
  return options;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// A message for users: the request and its URL, none of libcurl's names or codes.
void expect_user_message(const std::string& message, const std::string& url) {
  EXPECT_NE(message.find("GET " + url), std::string::npos) << message;
  EXPECT_EQ(lower(message).find("curl"), std::string::npos) << message;
  EXPECT_EQ(message.find("CURLE"), std::string::npos) << message;
  EXPECT_EQ(message.find("easy_perform"), std::string::npos) << message;
}

TEST(HttpTransfer, RetriesA503BeforeAnyByteReachesTheSink) {
  NoProxies no_proxies;
  int calls = 0;
  FakeHttpServer server([&](const FakeRequest&) {
    return ++calls < 3 ? http_response(503, {}, "busy") : http_response(200, {}, "payload");
  });
  HttpClient client(fast_options());
  StringWriter sink;
  HttpResponse response = client.send_to(HttpRequest{.url = server.url("/f")}, sink, 100);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(sink.str(), "payload");  // once: the 503 bodies never reached it
  EXPECT_EQ(calls, 3);
}

TEST(HttpTransfer, A503ThatStaysIsReturnedAfterTheRetries) {
  NoProxies no_proxies;
  FakeHttpServer server([](const FakeRequest&) { return http_response(503); });
  HttpOptions options = fast_options();
  options.max_retries = 2;
  HttpClient client(options);
  StringWriter sink;
  EXPECT_EQ(client.send_to(HttpRequest{.url = server.url("/f")}, sink, 100).status, 503);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_TRUE(sink.str().empty());
}

TEST(HttpTransfer, AServerThatNeverAnswersTimesOut) {
  NoProxies no_proxies;
  FakeHttpServer server([](const FakeRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return http_response(200);
  });
  HttpOptions options = fast_options();
  options.total_timeout = std::chrono::milliseconds(200);
  options.max_retries = 0;
  HttpClient client(options);
  std::string url = server.url("/slow");
  Clock::time_point start = Clock::now();
  std::string message =
      error_of(ErrorKind::kNetwork, [&] { client.send(HttpRequest{.url = url}); });
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1200));
  expect_user_message(message, url);
  EXPECT_NE(lower(message).find("timed out"), std::string::npos) << message;
}

TEST(HttpTransfer, ABodyThatStallsTimesOutAsAStall) {
  NoProxies no_proxies;
  FakeHttpServer server([](const FakeRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    return http_response(200, {}, "late");
  });
  HttpOptions options = fast_options();
  options.low_speed_bytes_per_second = 1024;
  options.low_speed_time = std::chrono::seconds(1);
  options.max_retries = 0;
  HttpClient client(options);
  std::string url = server.url("/drip");
  StringWriter sink;
  std::string message =
      error_of(ErrorKind::kNetwork, [&] { client.send_to(HttpRequest{.url = url}, sink, 100); });
  expect_user_message(message, url);
  EXPECT_TRUE(sink.str().empty());
}

TEST(HttpTransfer, StreamsTheBodyOfARedirectTarget) {
  NoProxies no_proxies;
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.target == "/moved") return http_response(301, {"Location: /here"}, "moved");
    return http_response(200, {}, "the archive");
  });
  HttpClient client(fast_options());
  StringWriter sink;
  HttpResponse response = client.send_to(HttpRequest{.url = server.url("/moved")}, sink, 100);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.url, server.url("/here"));
  EXPECT_EQ(sink.str(), "the archive");
}

TEST(HttpTransfer, UsesTheProxyTheEnvironmentNames) {
  NoProxies no_proxies;
  FakeHttpServer proxy([](const FakeRequest&) { return http_response(200, {}, "via proxy"); });
  ScopedEnv http_proxy("http_proxy", proxy.url());
  HttpClient client(fast_options());
  // .invalid never resolves: only the proxy can have answered.
  HttpResponse response = client.send(HttpRequest{.url = "http://schicht-test.invalid/file"});
  EXPECT_EQ(response.body, "via proxy");
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].target, "http://schicht-test.invalid/file");
}

TEST(HttpTransfer, NoProxyBypassesTheProxy) {
  NoProxies no_proxies;
  FakeHttpServer proxy([](const FakeRequest&) { return http_response(200, {}, "via proxy"); });
  FakeHttpServer direct([](const FakeRequest&) { return http_response(200, {}, "direct"); });
  ScopedEnv http_proxy("http_proxy", proxy.url());
  ScopedEnv no_proxy("no_proxy", "127.0.0.1");
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(HttpRequest{.url = direct.url("/file")}).body, "direct");
  EXPECT_TRUE(proxy.requests().empty());
}

TEST(HttpTransfer, AnUnresolvableHostNamesTheUrl) {
  NoProxies no_proxies;
  HttpClient client(fast_options());
  std::string url = "http://schicht-test.invalid/file";
  std::string message =
      error_of(ErrorKind::kNetwork, [&] { client.send(HttpRequest{.url = url}); });
  expect_user_message(message, url);
}

TEST(HttpTransfer, ARefusedConnectionNamesTheUrl) {
  NoProxies no_proxies;
  int port;
  {
    FakeHttpServer gone([](const FakeRequest&) { return http_response(200); });
    port = gone.port();
  }
  HttpClient client(fast_options());
  std::string url = fmt::format("http://127.0.0.1:{}/archive.tar", port);
  std::string message =
      error_of(ErrorKind::kNetwork, [&] { client.send(HttpRequest{.url = url}); });
  expect_user_message(message, url);
}

TEST(HttpTimeoutEnvironment, ReadsTheVariablesAndRefusesBadValues) {
  ScopedEnv connect("SCHICHT_CONNECT_TIMEOUT", "7");
  ScopedEnv stall("SCHICHT_STALL_TIMEOUT", "9");
  ScopedEnv speed("SCHICHT_STALL_SPEED", "0");
  ScopedEnv total("SCHICHT_TOTAL_TIMEOUT", "");
  HttpOptions options;
  apply_timeout_environment(options);
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(7));
  EXPECT_EQ(options.low_speed_time, std::chrono::seconds(9));
  EXPECT_EQ(options.low_speed_bytes_per_second, 0u);
  EXPECT_EQ(options.total_timeout, std::chrono::milliseconds(0));

  ScopedEnv bad("SCHICHT_CONNECT_TIMEOUT", "soon");
  std::string message =
      error_of(ErrorKind::kInvalidInput, [&] { apply_timeout_environment(options); });
  EXPECT_NE(message.find("SCHICHT_CONNECT_TIMEOUT=\"soon\""), std::string::npos) << message;
}

}  // namespace
}  // namespace schicht::http

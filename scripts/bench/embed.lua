-- wrk script: POST one cached 768-dim embedding request
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-768","input":"the cached sentence about a forklift operator in Columbus"}'

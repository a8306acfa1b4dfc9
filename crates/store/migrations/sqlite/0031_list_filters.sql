-- The filters of the posts list (web::registry::post_list) (sqlite). Lockstep: ../postgres/0031.
-- The list filters on a post's status and employer inside a scope, in code order.
CREATE INDEX posts_status ON posts (status, code);
CREATE INDEX posts_employer ON posts (employer_id, code);
